print("capnpc-swift")
