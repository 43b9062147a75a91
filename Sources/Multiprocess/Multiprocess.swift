// Multiprocess: Bitcoin Core's Ipc / Process / Protocol sequence over CapnpRPC.
