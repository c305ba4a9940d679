/* global Event */
// "Use my current location" on the report form: fills latitude and longitude from the phone's or
// computer's location. Without JavaScript (or without location services) the button stays hidden
// and people type the address or the point themselves.
(function () {
  'use strict';
  var button = document.getElementById('locate-me');
  var status = document.getElementById('locate-me-status');
  var latitude = document.getElementById('f-latitude');
  var longitude = document.getElementById('f-longitude');
  if (!button || !status || !latitude || !longitude || !('geolocation' in navigator)) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    status.textContent = 'Finding your location…';
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(5);
        longitude.value = position.coords.longitude.toFixed(5);
        // The map (point-map.js), when there is one, moves its marker here.
        longitude.dispatchEvent(new Event('change'));
        status.textContent = 'Your location is filled in below (to within about ' + Math.round(position.coords.accuracy) + ' metres). Add the address too if you know it.';
        button.disabled = false;
      },
      function (error) {
        status.textContent =
          (error.code === 1 ? 'Your browser did not allow us to use your location.' : 'We could not find your location.') + ' Type the address or nearest intersection instead.';
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
})();
