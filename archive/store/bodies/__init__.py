"""Raw response bodies: compression methods, per-site zstd dictionaries (trained beside a bulk
write or by ``archive compact``), and the re-pack engine that brings bodies to their best."""
