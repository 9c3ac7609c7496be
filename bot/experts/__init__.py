"""Expert routing: the directory of experts, matching, the router, timers, learning and the chat desk."""
