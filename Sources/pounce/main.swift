import PounceApp
