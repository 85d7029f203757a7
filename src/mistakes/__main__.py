from mistakes.cli.main import main

raise SystemExit(main())
