from txnlp.cli import main

main()
