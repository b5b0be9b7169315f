OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(clv_95, float) and isinstance(clv_90, float), 'clv_95 and clv_90 should be amounts in RMB (floats)'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert 0 < clv_90 < clv_95 < 2000 * 60, 'with churn and discounting the value lies below 2,000 x 60, and higher retention is worth more'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(retention_gain, float) and 0 < retention_gain < 5, 'retention_gain is a relative change such as 0.5 (for +50%), not a "
                                               "percentage'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
