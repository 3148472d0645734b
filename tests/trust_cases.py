"""The smallest forms of programs that once gave silently wrong gradients.

Imported by ``test_trust.py``; kept in a module of their own because `grad`
reads their source.
"""



def shared_subscript_in_both_arms(x):
    # x[i] was computed in the if-arm and read, uncomputed, in the else-arm.
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] ** 2
        else:
            s = s - 0.5 * x[i]
    return s


def shared_subscript_in_conditional_expressions(x):
    a = x[0] if x[1] > 0 else x[0] * 2
    b = x[0] * 3 if x[1] < 0 else x[0]
    return a * b


def make_step(a):
    return lambda x: x - 0.05 * (x ** 2 - a)


def closure_made_by_a_helper(a):
    return make_step(a)(10.0)


def closure_kept_in_a_name(a):
    step = make_step(a)
    return step(10.0)


def nested_def_reading_a_differentiated_value(a):
    def scaled(x):
        return x * a
    return scaled(2.0)


def lambda_reading_a_differentiated_value(x):
    i = 0
    first = x[i] ** 2
    third = lambda i: x[i] * 3  # noqa: E731
    return first + third(2)
