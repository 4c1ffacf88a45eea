# node-gyp build of the native UDP addon (the release path; prebuildify drives this file).
# Linux only: elsewhere the target is empty, node-gyp-build finds nothing and the tracker
# uses node:dgram. Keep the source list equal to CMakeLists.txt (npm run check:native).
{
  "targets": [
    {
      "target_name": "aquatic_native",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/src/addon.cc",
            "native/src/privileges.cc",
            "native/src/sockets.cc"
          ],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
          "cflags": ["-O3", "-fvisibility=hidden", "-Wall", "-Wextra"],
          "cflags_cc": ["-std=c++17", "-fvisibility-inlines-hidden"],
          "ldflags": ["-static-libstdc++", "-Wl,--exclude-libs,ALL", "-Wl,--as-needed"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
