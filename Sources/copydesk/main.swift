import CopydeskStore
import ArgumentParser
print("x")
