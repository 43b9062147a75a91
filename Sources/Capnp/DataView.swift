// A builder's Data field read as a view, the same type a Reader's Data field gives.

extension PointerBuilder {
    /// The Data here as a `DataReader` over the message's own bytes: no copy (the view keeps the
    /// message alive). Generated Builders' Data properties return this, as Readers' do.
    public func dataView(default fallback: PointerDefault? = nil) -> DataReader {
        DataReader(arena: arena.asReader(), bytes: blobBytes(default: fallback))
    }
}
