import torch
import math
string_classes = (str, bytes)
ints = int
try:
    import collections.abc as container_abcs
except ImportError:
    import collections.abc as container_abcs
from math import inf

if isinstance(key, (str, bytes)):
    limit = math.inf
from torch._six import with_metaclass
