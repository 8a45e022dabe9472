"""HTTP: the app factory, thin routers, error handlers, middleware, the container."""
