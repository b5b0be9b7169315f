OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {'code': '>>> assert isinstance(top_driver, str), "top_driver should be a dimension name such as \'price\'"\n', 'hidden': False, 'locked': False},
                                   {   'code': ">>> assert isinstance(driver_order, list) and sorted(driver_order) == sorted(['timeliness', 'condition', 'information', 'staff', 'handling', "
                                               "'price']), 'driver_order should list each of the six dimensions once'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert driver_order[0] == top_driver, 'the first dimension in driver_order should be top_driver'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
