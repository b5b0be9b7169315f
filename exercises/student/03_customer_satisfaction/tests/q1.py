OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {'code': ">>> assert isinstance(alpha_timeliness, float), 'alpha_timeliness should be one number (a float)'\n", 'hidden': False, 'locked': False},
                                   {   'code': '>>> assert 0 < alpha_timeliness < 1, f"Cronbach\'s alpha of a sound scale lies between 0 and 1; got {alpha_timeliness}"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert isinstance(all_reliable, bool), 'all_reliable should be True or False (a bool)'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
