"""Checks that a function's cost grows linearly with its input.

Time on a shared machine says little: a test run next to others can be
slowed tenfold. How the cost *grows* says more. Each check times the
same function on an input and on one ``FACTOR`` times longer, in CPU
time of this process (which the load of other processes barely moves),
best of three, and compares the two. A linear function costs about
``FACTOR`` times more on the longer input; a quadratic one ``FACTOR``
squared. The bound sits far from both.
"""

import time

#: How much longer the second input is.
FACTOR = 16

#: The largest growth accepted. Linear gives about 16, or up to twice
#: that where the long input no longer fits the caches; quadratic 256.
BOUND = 64


def cpu_seconds(function, argument, rounds=3):
    """The least CPU time ``function(argument)`` took in ``rounds`` calls."""
    best = None
    for _ in range(rounds):
        started = time.process_time()
        function(argument)
        spent = time.process_time() - started
        best = spent if best is None else min(best, spent)
    return best


def growth(function, make_input, size):
    """How much more ``function`` costs on an input ``FACTOR`` times longer.

    ``make_input(n)`` builds an input of about ``n`` characters. The
    short input's cost is floored at one millisecond, so that a function
    too quick to measure on it counts as linear rather than as a division
    by next to nothing.
    """
    short = cpu_seconds(function, make_input(size))
    long = cpu_seconds(function, make_input(size * FACTOR))
    return long / max(short, 0.001)


def assert_linear(test, function, make_input, size, what=''):
    ratio = growth(function, make_input, size)
    test.assertLess(
        ratio, BOUND,
        '%s: %dx the input cost %.1fx the CPU time' % (what, FACTOR, ratio))
