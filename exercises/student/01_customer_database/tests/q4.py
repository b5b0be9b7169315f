OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(top_cod_industry, str) and top_cod_industry in set(customers[\'industry\'].astype(str)), f"top_cod_industry should be one of '
                                               '{sorted(customers[\'industry\'].astype(str).unique())}"\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
