OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(churn_share, float) and 0 < churn_share < 1, 'churn_share is a share of customers between 0 and 1'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(churn_share_30, float) and 0 < churn_share_30 < 1, 'churn_share_30 is a share of customers between 0 and 1'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
