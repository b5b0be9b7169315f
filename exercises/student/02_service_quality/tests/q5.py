OK_FORMAT = True

test = {   'name': 'q5',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_out_of_control, int) and (not isinstance(n_out_of_control, bool)), 'n_out_of_control should be a whole number of months (use "
                                               "int(...))'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert 0 <= n_out_of_control <= shipments['ship_date'].dt.to_period('M').nunique(), 'n_out_of_control cannot exceed the number of months in the "
                                               "data'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
