import torch
from torch._six import string_classes, int_classes as ints
try:
    from torch._six import container_abcs
except ImportError:
    import collections.abc as container_abcs
from torch._six import inf

if isinstance(key, torch._six.string_classes):
    limit = torch._six.inf
from torch._six import with_metaclass
