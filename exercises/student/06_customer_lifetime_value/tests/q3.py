OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_likely_gone, int) and 0 <= n_likely_gone <= shipments['customer_id'].nunique(), 'n_likely_gone is a whole number of customers "
                                               "(use int(...))'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
