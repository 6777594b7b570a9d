"""``python -m zoo.pretrained``: the registry as a table (``--write docs/pretrained.md``);
``python -m zoo.pretrained verify``: the cards' figures re-measured (``zoo.pretrained.verify``)."""

import sys

if sys.argv[1:2] == ["verify"]:
    from zoo import cli
    from zoo.pretrained.verify import main

    cli.main(main)
else:
    from zoo.pretrained.table import main

    main()
