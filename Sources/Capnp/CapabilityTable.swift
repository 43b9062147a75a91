// The link between capability pointers and the RPC layer that knows what they refer to.

/// What a received message's capability pointers refer to. The wire format stores only
/// indices; the RPC layer implements this and attaches it to the messages it hands out.
public protocol CapabilityTable: AnyObject, Sendable {}
