# cmake --install: knutpunkt as a Debian-style service.
#   bin/knutpunkt                                   the gateway (component "gateway")
#   share/knutpunkt/{schemas,mappings,console}      what the configuration points at
#   etc/knutpunkt/knutpunkt.json                    an example configuration (/etc/knutpunkt when the prefix is /usr)
#   lib/systemd/system/knutpunkt.service            the unit (User=knutpunkt, hardened)
#   bin/*-simulator, bin/sip-region-sim             the partners' stand-ins (component "simulators", not for production)
# The configuration and the unit name absolute paths, so they are written at install time from the
# prefix then in force (cmake --install --prefix DIR), not the one configured.
include(GNUInstallDirs)

install(TARGETS knutpunkt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT gateway)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/ DESTINATION ${CMAKE_INSTALL_DATADIR}/knutpunkt/schemas COMPONENT gateway)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/mappings/ DESTINATION ${CMAKE_INSTALL_DATADIR}/knutpunkt/mappings
        COMPONENT gateway)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/gateway/console/static/ DESTINATION ${CMAKE_INSTALL_DATADIR}/knutpunkt/console
        COMPONENT gateway)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/knutpunkt COMPONENT gateway)

foreach(simulator ssbtek-simulator arbetsformedlingen-simulator forsakringskassan-simulator jobbtorg-simulator
                  case-system-simulator sip-region-sim)
  if(TARGET ${simulator})
    install(TARGETS ${simulator} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT simulators EXCLUDE_FROM_ALL)
  endif()
endforeach()

install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  # Debian's layout: with the prefix /usr the configuration goes to /etc, otherwise under the prefix.
  if(prefix STREQUAL \"/usr\")
    set(KNUTPUNKT_CONFIG_DIR /etc/knutpunkt)
  else()
    set(KNUTPUNKT_CONFIG_DIR \"\${prefix}/${CMAKE_INSTALL_SYSCONFDIR}/knutpunkt\")
  endif()
  set(KNUTPUNKT_BIN_DIR \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(KNUTPUNKT_DATA_DIR \"\${prefix}/${CMAKE_INSTALL_DATADIR}/knutpunkt\")
  # What systemd's StateDirectory= and LogsDirectory= make, whatever the prefix.
  set(KNUTPUNKT_STATE_DIR /var/lib/knutpunkt)
  set(KNUTPUNKT_LOG_DIR /var/log/knutpunkt)
  set(config \"\$ENV{DESTDIR}\${KNUTPUNKT_CONFIG_DIR}/knutpunkt.json\")
  # An edited configuration is never overwritten by a later install.
  if(EXISTS \"\${config}\")
    message(STATUS \"Keeping: \${config}\")
  else()
    message(STATUS \"Installing: \${config}\")
    configure_file(\"${PROJECT_SOURCE_DIR}/config/knutpunkt.example.json.in\" \"\${config}\" @ONLY)
    # 0640: partner tokens and client token hashes are in it; root edits it and the service reads
    # it through its group (chgrp knutpunkt, see README), others not at all.
    file(CHMOD \"\${config}\" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  endif()
  set(unit \"\$ENV{DESTDIR}\${prefix}/lib/systemd/system/knutpunkt.service\")
  message(STATUS \"Installing: \${unit}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/packaging/knutpunkt.service.in\" \"\${unit}\" @ONLY)
" COMPONENT gateway)
