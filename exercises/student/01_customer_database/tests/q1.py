OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_never_shipped, int) and 0 <= n_never_shipped < len(customers), 'n_never_shipped is a whole number of customers (use "
                                               "int(...))'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
