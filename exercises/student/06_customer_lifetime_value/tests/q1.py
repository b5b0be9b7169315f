OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [{'code': ">>> assert isinstance(fedex_clv, (int, float)) and fedex_clv > 0, 'fedex_clv should be a positive amount in USD'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
