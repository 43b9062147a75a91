// Server inheritance across classes: a class that adopts a derived interface's `Server` by
// subclassing a class that serves the base interface still dispatches the derived methods.
//
// The base class's conformance to `CapabilityServer` (and so its `dispatch`) is inherited, so
// on its own it would never see the derived interface. Each generated `Server` of an interface
// `N` levels of `extends` deep also adopts `_ServerDepthN`, which the subclass adopts anew; a
// generated `dispatch` at depth `N` first asks whether `self` adopts `_ServerDepth(N+1)` and, if
// so, hands the call to it. Generated code only; deeper than 16 levels, subclassing does not
// reach the derived methods (serving the derived interface from a class of its own does).

public protocol _ServerDepth1: CapabilityServer { func _dispatchDepth1(_ call: IncomingCall) async throws }
public protocol _ServerDepth2: CapabilityServer { func _dispatchDepth2(_ call: IncomingCall) async throws }
public protocol _ServerDepth3: CapabilityServer { func _dispatchDepth3(_ call: IncomingCall) async throws }
public protocol _ServerDepth4: CapabilityServer { func _dispatchDepth4(_ call: IncomingCall) async throws }
public protocol _ServerDepth5: CapabilityServer { func _dispatchDepth5(_ call: IncomingCall) async throws }
public protocol _ServerDepth6: CapabilityServer { func _dispatchDepth6(_ call: IncomingCall) async throws }
public protocol _ServerDepth7: CapabilityServer { func _dispatchDepth7(_ call: IncomingCall) async throws }
public protocol _ServerDepth8: CapabilityServer { func _dispatchDepth8(_ call: IncomingCall) async throws }
public protocol _ServerDepth9: CapabilityServer { func _dispatchDepth9(_ call: IncomingCall) async throws }
public protocol _ServerDepth10: CapabilityServer { func _dispatchDepth10(_ call: IncomingCall) async throws }
public protocol _ServerDepth11: CapabilityServer { func _dispatchDepth11(_ call: IncomingCall) async throws }
public protocol _ServerDepth12: CapabilityServer { func _dispatchDepth12(_ call: IncomingCall) async throws }
public protocol _ServerDepth13: CapabilityServer { func _dispatchDepth13(_ call: IncomingCall) async throws }
public protocol _ServerDepth14: CapabilityServer { func _dispatchDepth14(_ call: IncomingCall) async throws }
public protocol _ServerDepth15: CapabilityServer { func _dispatchDepth15(_ call: IncomingCall) async throws }
public protocol _ServerDepth16: CapabilityServer { func _dispatchDepth16(_ call: IncomingCall) async throws }
