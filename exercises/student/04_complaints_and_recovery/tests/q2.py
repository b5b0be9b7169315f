OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {'code': ">>> assert isinstance(median_hours, float) and median_hours > 0, 'median_hours should be a positive number of hours'\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert isinstance(within_24h, float) and 0 <= within_24h <= 1, 'within_24h is a share between 0 and 1'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
