from rasoat.cli import main

main()
