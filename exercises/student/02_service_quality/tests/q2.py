OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(complaints_per_1000, (int, float)), f'complaints_per_1000 should be one number, got {type(complaints_per_1000).__name__}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert 1 < complaints_per_1000 < 1000, f'complaints_per_1000 is a rate per 1,000 shipments (a share times 1,000); got {complaints_per_1000}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
