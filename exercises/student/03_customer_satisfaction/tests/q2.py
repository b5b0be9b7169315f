OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(csi, float) and 0 <= csi <= 100, 'csi is the mean of a 0-100 index: one number between 0 and 100'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(nps_score, float) and -100 <= nps_score <= 100, 'NPS is % promoters minus % detractors: a number between -100 and 100'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert not (-1 < nps_score < 1 and nps_score != 0), 'NPS is reported in points (e.g. 12.5), not as a share (0.125)'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
