# Installs the library, its headers and a package config so that another CMake project can
#   find_package(reason REQUIRED)  and  target_link_libraries(app PRIVATE reason::reason)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS reason reason_torch reason_trainers EXPORT reasonTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS reason_cli train RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/trainers/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/reason/trainers
        FILES_MATCHING PATTERN "*_strategy.h")
# The SentencePiece wrapper is found beside libreason.so at run time (dladdr), not linked.
install(TARGETS reason_spm LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/libreason/include/reason DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT reasonTargets NAMESPACE reason:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reason)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/reasonConfig.cmake.in
  ${PROJECT_BINARY_DIR}/reasonConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reason)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/reasonConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/reasonConfig.cmake ${PROJECT_BINARY_DIR}/reasonConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reason)
