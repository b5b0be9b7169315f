OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(lost_lift, float) and lost_lift > 1, 'lost_lift is a ratio of two complaint rates (lost / no failure); a lost parcel draws more "
                                               "complaints, so it exceeds 1'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert isinstance(late_share, float) and 0 < late_share < 1, 'late_share is a share between 0 and 1'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
