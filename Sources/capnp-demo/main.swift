// Demo of what is built so far: a message built in Swift, checked by the capnp tool.
print("capnp-demo: under construction")
