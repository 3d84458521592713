from pptcli.cli import main

main()
