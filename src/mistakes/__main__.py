from mistakes.launch import main

raise SystemExit(main())
