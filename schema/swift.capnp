@0xe3d4c01fab1de278;
# Annotations for capnpc-swift.

annotation module @0xe2eaf12b4b020603 (file) :Text;
# The Swift module the file's generated code is compiled into. A file importing this one
# gets `import <module>` in its generated Swift.
