OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(top20, float) and 0.2 <= top20 <= 1, 'top20 is a share of revenue between 0.2 and 1 (the top fifth brings at least a fifth)'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(n_class_a, int) and 0 < n_class_a < shipments['customer_id'].nunique(), 'n_class_a is a whole number of customers, fewer than "
                                               "all of them'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
