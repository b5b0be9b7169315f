OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_economic, int) and isinstance(n_potential, int), 'give whole numbers of customers (use int(...))'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert 0 <= n_economic < 100 and 0 <= n_potential < 200, 'key accounts are few: count the customers in each tier, not shipments'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
