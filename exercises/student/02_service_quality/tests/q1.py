OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(on_time_rate, (int, float)), f'on_time_rate should be one number, got {type(on_time_rate).__name__}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert 0 < on_time_rate <= 1, f'on_time_rate should be a share between 0 and 1 (0.93, not 93), got {on_time_rate}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
