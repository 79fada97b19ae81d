import CopydeskDaemon
import ArgumentParser
print("x")
