OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_below_zero, int) and 0 <= n_below_zero <= shipments['customer_id'].nunique(), 'n_below_zero is a whole number of customers'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(loss_below_zero, float) and loss_below_zero >= 0, 'give the loss as a positive amount: cost minus revenue'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
