"""The contract every Store implementation keeps."""
