OK_FORMAT = True

test = {   'name': 'q2',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(largest_segment, str) and largest_segment in {\'Champions\', \'Loyal\', "Can\'t Lose Them", \'At Risk\', \'Potential '
                                               'Loyalists\', \'New Customers\', \'Promising\', \'Need Attention\', \'About To Sleep\', \'Hibernating\', \'Lost\', \'Other\'}, "largest_segment should '
                                               'be a segment name such as \'Loyal\'"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert isinstance(revenue_at_risk, float) and 0 < revenue_at_risk < shipments[\'revenue\'].sum(), "revenue_at_risk is a positive amount in RMB, '
                                               'below the company\'s total revenue"\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
