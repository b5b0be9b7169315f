OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {'code': ">>> assert isinstance(n_loyal, int) and isinstance(n_lapsed, int), 'give whole numbers of customers (use int(...))'\n", 'hidden': False, 'locked': False},
                                   {   'code': ">>> assert n_loyal + n_lapsed <= shipments['customer_id'].nunique(), 'a customer has one status: the two counts cannot add up to more than the "
                                               "customers who shipped'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
