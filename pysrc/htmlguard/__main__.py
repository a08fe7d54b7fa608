from htmlguard.cli import main

raise SystemExit(main())
