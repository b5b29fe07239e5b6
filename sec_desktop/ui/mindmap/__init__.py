"""The SEC framework as a mindmap: the model, its radial layout, the scene and view that draw
it, the exports and the window. Nothing is imported here, so the tray loads none of it until
the mindmap is first opened."""
