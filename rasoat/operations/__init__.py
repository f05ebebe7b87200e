"""Running rasoat as a service: the inbox watcher and `rasoat up` / `rasoat down`."""
