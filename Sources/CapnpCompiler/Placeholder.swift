public enum CapnpCompilerPlaceholder {}
