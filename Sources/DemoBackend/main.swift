print("demo backend placeholder")
