"""``python -m zoo.pretrained``: the registry as a table (``--write docs/pretrained.md``);
``python -m zoo.pretrained verify``: the cards' figures re-measured (``zoo.pretrained.verify``);
``python -m zoo.pretrained docs``: every generated page rewritten (``zoo.pretrained.results``)."""

import sys

if sys.argv[1:2] == ["verify"]:
    from zoo import cli
    from zoo.pretrained.verify import main

    cli.main(main)
elif sys.argv[1:2] == ["docs"]:
    from zoo.pretrained.results import main

    main(sys.argv[2:])
else:
    from zoo.pretrained.table import main

    main()
