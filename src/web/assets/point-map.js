/* global fetch */
// The map of a place (issue 19), drawn by Leaflet over the configured tile server's pictures.
// "choose" (the report form): a marker the resident drags or places with a tap; it fills the
// latitude and longitude fields, and asks citydesk for the address nearby when a geocoder is set
// up. Typing in the fields moves the marker. "show" (the staff case page): the point only.
// Without JavaScript the map stays hidden and the fields do its work; if the tiles cannot load,
// the marker and the fields still work and the page says so.
(function () {
  'use strict';
  var el = document.querySelector('[data-point-map]');
  if (!el || !window.L) return;
  var L = window.L;
  var d = el.dataset;
  el.hidden = false;
  var start = [Number(d.latitude), Number(d.longitude)];
  var map = L.map(el, { scrollWheelZoom: false }).setView(start, Number(d.zoom));
  var tilesFailed = false;
  var status = document.createElement('p');
  status.className = 'hint point-map__status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  el.insertAdjacentElement('afterend', status);
  L.tileLayer(d.tiles, { maxZoom: Number(d.maxZoom), attribution: d.attribution })
    .on('tileerror', function () {
      if (tilesFailed) return;
      tilesFailed = true;
      status.textContent =
        d.pointMap === 'choose'
          ? 'The map pictures could not load. You can still move the marker, or type the latitude and longitude below.'
          : 'The map pictures could not load; the point is given below.';
    })
    .addTo(map);
  if (d.boundary) {
    L.polygon(JSON.parse(d.boundary), { color: '#004c80', weight: 2, fill: false, interactive: false }).addTo(map);
  }
  var marker = L.marker(start, { draggable: d.pointMap === 'choose', keyboard: false, alt: 'The place of the problem' });
  if (d.hasPoint === 'yes' || d.pointMap === 'choose') marker.addTo(map);
  if (d.pointMap !== 'choose') return;

  var latitude = document.getElementById(d.latitudeField);
  var longitude = document.getElementById(d.longitudeField);
  var address = document.getElementById(d.addressField);
  var lookupTimer = null;
  var lookupNumber = 0;

  // The marker can also be placed without a pointer: pan the map with the arrow keys, then this.
  var centreButton = document.createElement('button');
  centreButton.type = 'button';
  centreButton.className = 'button--secondary point-map__centre';
  centreButton.textContent = 'Put the marker at the centre of the map';
  status.insertAdjacentElement('beforebegin', centreButton);

  function place(latlng, fromFields) {
    marker.setLatLng(latlng);
    if (!fromFields) {
      latitude.value = latlng.lat.toFixed(5);
      longitude.value = latlng.lng.toFixed(5);
    }
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(function () {
      lookup(latlng);
    }, 300);
  }

  function lookup(latlng) {
    var asked = ++lookupNumber;
    fetch(d.lookup + '?latitude=' + encodeURIComponent(latlng.lat.toFixed(5)) + '&longitude=' + encodeURIComponent(latlng.lng.toFixed(5)), { headers: { accept: 'application/json' } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (asked !== lookupNumber || !answer) return;
        if (!answer.inside) {
          status.textContent = answer.message;
        } else if (answer.address) {
          if (address && address.value.trim() === '') {
            address.value = answer.address;
            status.textContent = 'Marker placed. The address nearest it is filled in above: check it, and change it if it is not right.';
          } else {
            status.textContent = 'Marker placed. The address nearest it is ' + answer.address + '.';
          }
        } else {
          status.textContent = 'Marker placed at ' + latlng.lat.toFixed(5) + ', ' + latlng.lng.toFixed(5) + '.';
        }
      })
      .catch(function () {
        /* the point is in the fields: nothing else is needed */
      });
  }

  marker.on('dragend', function () {
    place(marker.getLatLng(), false);
  });
  map.on('click', function (event) {
    place(event.latlng, false);
  });
  centreButton.addEventListener('click', function () {
    place(map.getCenter(), false);
  });
  function fromFields() {
    var lat = Number(latitude.value);
    var lng = Number(longitude.value);
    if (latitude.value.trim() === '' || longitude.value.trim() === '' || !isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return;
    var latlng = L.latLng(lat, lng);
    map.setView(latlng, Math.max(map.getZoom(), 16));
    place(latlng, true);
  }
  latitude.addEventListener('change', fromFields);
  longitude.addEventListener('change', fromFields);
})();
