OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {'code': ">>> assert isinstance(auc, float) and 0 <= auc <= 1, 'the AUC is a number between 0 and 1'\n", 'hidden': False, 'locked': False},
                                   {'code': ">>> assert auc != 0.5, 'an AUC of exactly 0.5 means the scores do not rank at all: did you pass the scores?'\n", 'hidden': False, 'locked': False},
                                   {   'code': ">>> assert isinstance(strongest_term, str) and strongest_term != 'Intercept', 'strongest_term is a term name from model.summary(), not the "
                                               "intercept'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
