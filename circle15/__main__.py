from circle15.cli import main

main()
